-- CreateEnum
CREATE TYPE "LeadStage" AS ENUM ('NEW', 'CONTACTED', 'QUALIFIED', 'WON', 'LOST');

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "firstContactedAt" TIMESTAMPTZ(3),
ADD COLUMN     "lostReason" TEXT,
ADD COLUMN     "ownerAssignedAt" TIMESTAMPTZ(3),
ADD COLUMN     "ownerId" UUID,
ADD COLUMN     "stage" "LeadStage" NOT NULL DEFAULT 'NEW',
ADD COLUMN     "stageChangedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "acceptsLeads" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "leadWeight" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "slackMemberId" VARCHAR(32),
ADD COLUMN     "whatsappNumber" VARCHAR(16);

-- CreateTable
CREATE TABLE "lead_stage_changes" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "fromStage" "LeadStage" NOT NULL,
    "toStage" "LeadStage" NOT NULL,
    "lostReason" TEXT,
    "actorKind" VARCHAR(16) NOT NULL,
    "actorId" UUID,
    "actorLabel" VARCHAR(255) NOT NULL,
    "changedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lead_stage_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "owner_rotation" (
    "userId" UUID NOT NULL,
    "currentWeight" INTEGER NOT NULL DEFAULT 0,
    "assignedCount" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "owner_rotation_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "pipeline_settings" (
    "id" VARCHAR(16) NOT NULL DEFAULT 'default',
    "assignWarmLeads" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "lead_stage_changes_leadId_changedAt_idx" ON "lead_stage_changes"("leadId", "changedAt" DESC);

-- CreateIndex
CREATE INDEX "leads_ownerId_createdAt_idx" ON "leads"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "leads_stage_createdAt_idx" ON "leads"("stage", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "leads" ADD CONSTRAINT "leads_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lead_stage_changes" ADD CONSTRAINT "lead_stage_changes_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "owner_rotation" ADD CONSTRAINT "owner_rotation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A weight of 0 would never be picked and a huge one would starve everybody else for a whole cycle.
ALTER TABLE "users" ADD CONSTRAINT "users_leadWeight_range" CHECK ("leadWeight" BETWEEN 1 AND 100);

-- A lost reason belongs to a LOST lead only (erasure may clear it, so LOST without one is allowed).
ALTER TABLE "leads" ADD CONSTRAINT "leads_lostReason_only_when_lost"
  CHECK ("lostReason" IS NULL OR "stage" = 'LOST');

-- Erasing a lead (LGPD: eraseLead sets "erasedAt") clears the lost reasons written about it, on the
-- lead and in its stage history: free text a salesperson typed about the person. Stages, times and
-- who changed them stay, so the pipeline figures keep counting the lead.
CREATE FUNCTION "leads_erase_lost_reason"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."lostReason" := NULL;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "leads_erase_lost_reason"
  BEFORE UPDATE OF "erasedAt" ON "leads"
  FOR EACH ROW WHEN (NEW."erasedAt" IS NOT NULL) EXECUTE FUNCTION "leads_erase_lost_reason"();

CREATE FUNCTION "lead_stage_changes_erase"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "lead_stage_changes" SET "lostReason" = NULL
  WHERE "leadId" = NEW."id" AND "lostReason" IS NOT NULL;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "leads_erase_lead_stage_changes"
  AFTER UPDATE OF "erasedAt" ON "leads"
  FOR EACH ROW WHEN (NEW."erasedAt" IS NOT NULL) EXECUTE FUNCTION "lead_stage_changes_erase"();
