-- AlterTable
ALTER TABLE "automation_runs" ADD COLUMN     "deliveredTo" VARCHAR(32)[] DEFAULT ARRAY[]::VARCHAR(32)[];

-- AlterTable
ALTER TABLE "automation_settings" ADD COLUMN     "smtpCaCertificates" TEXT;

-- AlterTable
ALTER TABLE "lead_consents" ADD COLUMN     "withdrawnAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "remarketing_members" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "audience" VARCHAR(64) NOT NULL,
    "addedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "runId" UUID,
    "removedAt" TIMESTAMPTZ(3),
    "removedReason" VARCHAR(64),

    CONSTRAINT "remarketing_members_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "remarketing_members_audience_removedAt_addedAt_id_idx" ON "remarketing_members"("audience", "removedAt", "addedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "remarketing_members_leadId_audience_key" ON "remarketing_members"("leadId", "audience");

-- AddForeignKey
ALTER TABLE "remarketing_members" ADD CONSTRAINT "remarketing_members_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;
