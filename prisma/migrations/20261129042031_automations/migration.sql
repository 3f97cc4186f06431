-- CreateEnum
CREATE TYPE "AutomationRunState" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DEAD');

-- CreateTable
CREATE TABLE "automation_runs" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "trigger" VARCHAR(128) NOT NULL,
    "state" "AutomationRunState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "lastError" TEXT,
    "responseStatus" INTEGER,
    "deliveryId" UUID NOT NULL,
    "skipReason" TEXT,
    "payload" JSONB NOT NULL,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "automation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "automation_settings" (
    "id" VARCHAR(16) NOT NULL DEFAULT 'default',
    "plan" JSONB NOT NULL,
    "followUpMinutes" JSONB NOT NULL,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "retryDelaySeconds" INTEGER NOT NULL DEFAULT 60,
    "slackWebhookUrlEncrypted" TEXT,
    "n8nWebhookUrl" TEXT,
    "n8nSecretEncrypted" TEXT,
    "whatsappBaseUrl" TEXT,
    "whatsappPhoneNumberId" VARCHAR(64),
    "whatsappTokenEncrypted" TEXT,
    "whatsappRecipients" TEXT[],
    "whatsappTemplate" VARCHAR(512),
    "whatsappLanguage" VARCHAR(16),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "automation_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "automation_runs_deliveryId_key" ON "automation_runs"("deliveryId");

-- CreateIndex
CREATE INDEX "automation_runs_leadId_createdAt_idx" ON "automation_runs"("leadId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "automation_runs_state_id_idx" ON "automation_runs"("state", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "automation_runs_leadId_action_trigger_key" ON "automation_runs"("leadId", "action", "trigger");

-- AddForeignKey
ALTER TABLE "automation_runs" ADD CONSTRAINT "automation_runs_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;
