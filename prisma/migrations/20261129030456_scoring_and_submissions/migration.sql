-- CreateEnum
CREATE TYPE "SubmissionChannel" AS ENUM ('API', 'WEB_FORM', 'META_ADS', 'GOOGLE_ADS', 'CSV_IMPORT');

-- CreateEnum
CREATE TYPE "RescoreRunState" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "scoreExplanation" JSONB,
ADD COLUMN     "scoredWithId" UUID,
ADD COLUMN     "statusOverride" "LeadStatus",
ADD COLUMN     "statusOverrideAt" TIMESTAMPTZ(3),
ADD COLUMN     "statusOverrideBy" VARCHAR(255),
ADD COLUMN     "statusOverrideReason" TEXT;

-- CreateTable
CREATE TABLE "lead_submissions" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "channel" "SubmissionChannel" NOT NULL,
    "payload" JSONB NOT NULL,
    "createdLead" BOOLEAN NOT NULL,
    "idempotencyKey" VARCHAR(255),
    "payloadHash" CHAR(64) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lead_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scoring_rule_sets" (
    "id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "note" TEXT,
    "createdBy" VARCHAR(255) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMPTZ(3),

    CONSTRAINT "scoring_rule_sets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rescore_runs" (
    "id" UUID NOT NULL,
    "ruleSetId" UUID NOT NULL,
    "filter" JSONB NOT NULL,
    "state" "RescoreRunState" NOT NULL DEFAULT 'RUNNING',
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "requestedBy" VARCHAR(255) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "rescore_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lead_submissions_idempotencyKey_key" ON "lead_submissions"("idempotencyKey");

-- CreateIndex
CREATE INDEX "lead_submissions_leadId_createdAt_idx" ON "lead_submissions"("leadId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "scoring_rule_sets_version_key" ON "scoring_rule_sets"("version");

-- CreateIndex
CREATE INDEX "scoring_rule_sets_activatedAt_idx" ON "scoring_rule_sets"("activatedAt" DESC);

-- CreateIndex
CREATE INDEX "rescore_runs_createdAt_idx" ON "rescore_runs"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_scoredWithId_fkey" FOREIGN KEY ("scoredWithId") REFERENCES "scoring_rule_sets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_submissions" ADD CONSTRAINT "lead_submissions_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rescore_runs" ADD CONSTRAINT "rescore_runs_ruleSetId_fkey" FOREIGN KEY ("ruleSetId") REFERENCES "scoring_rule_sets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
