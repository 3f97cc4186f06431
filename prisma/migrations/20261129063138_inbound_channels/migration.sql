-- CreateEnum
CREATE TYPE "InboundPayloadStatus" AS ENUM ('RECEIVED', 'PROCESSED', 'UNMAPPABLE', 'FAILED', 'TEST');

-- CreateEnum
CREATE TYPE "GoogleTestLeadPolicy" AS ENUM ('STORE', 'DROP');

-- CreateEnum
CREATE TYPE "LeadImportState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "lead_submissions" ADD COLUMN     "landingPage" VARCHAR(2000),
ADD COLUMN     "utmCampaign" VARCHAR(255),
ADD COLUMN     "utmContent" VARCHAR(255),
ADD COLUMN     "utmMedium" VARCHAR(255),
ADD COLUMN     "utmSource" VARCHAR(255),
ADD COLUMN     "utmTerm" VARCHAR(255);

-- CreateTable
CREATE TABLE "inbound_payloads" (
    "id" UUID NOT NULL,
    "channel" "SubmissionChannel" NOT NULL,
    "externalId" VARCHAR(255),
    "payload" JSONB NOT NULL,
    "fetched" JSONB,
    "status" "InboundPayloadStatus" NOT NULL DEFAULT 'RECEIVED',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leadId" UUID,
    "submissionId" UUID,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_payloads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_settings" (
    "id" VARCHAR(16) NOT NULL DEFAULT 'default',
    "metaVerifyTokenEncrypted" TEXT,
    "metaAppSecretEncrypted" TEXT,
    "metaGraphBaseUrl" VARCHAR(2000) NOT NULL DEFAULT 'https://graph.facebook.com/v21.0',
    "metaAccessTokenEncrypted" TEXT,
    "metaFormQuestions" JSONB NOT NULL DEFAULT '{}',
    "googleKeyEncrypted" TEXT,
    "googleTestLeads" "GoogleTestLeadPolicy" NOT NULL DEFAULT 'STORE',
    "formThankYouUrl" VARCHAR(2000),
    "formAllowedOrigins" TEXT[],
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_imports" (
    "id" UUID NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "mapping" JSONB NOT NULL,
    "content" BYTEA,
    "state" "LeadImportState" NOT NULL DEFAULT 'QUEUED',
    "totalRows" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "merged" INTEGER NOT NULL DEFAULT 0,
    "invalid" INTEGER NOT NULL DEFAULT 0,
    "rowErrors" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "requestedBy" VARCHAR(255) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "lead_imports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbound_payloads_externalId_key" ON "inbound_payloads"("externalId");

-- CreateIndex
CREATE INDEX "inbound_payloads_status_receivedAt_idx" ON "inbound_payloads"("status", "receivedAt" DESC);

-- CreateIndex
CREATE INDEX "inbound_payloads_leadId_idx" ON "inbound_payloads"("leadId");

-- CreateIndex
CREATE INDEX "lead_imports_createdAt_idx" ON "lead_imports"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "inbound_payloads" ADD CONSTRAINT "inbound_payloads_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_payloads" ADD CONSTRAINT "inbound_payloads_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "lead_submissions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
