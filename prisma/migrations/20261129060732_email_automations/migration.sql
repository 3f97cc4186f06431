-- CreateEnum
CREATE TYPE "SmtpTlsMode" AS ENUM ('NONE', 'STARTTLS', 'TLS');

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "unsubscribedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "automation_settings" ADD COLUMN     "emailFromAddress" VARCHAR(255),
ADD COLUMN     "emailFromName" VARCHAR(255),
ADD COLUMN     "emailLocale" VARCHAR(16) NOT NULL DEFAULT 'pt-BR',
ADD COLUMN     "emailSequence" JSONB NOT NULL DEFAULT '[{"delayMinutes":2880,"template":"sequence-1"},{"delayMinutes":4320,"template":"sequence-2"},{"delayMinutes":7200,"template":"sequence-3"}]',
ADD COLUMN     "nurturePdfFileId" UUID,
ADD COLUMN     "publicBaseUrl" VARCHAR(2000),
ADD COLUMN     "schedulingLink" VARCHAR(2000),
ADD COLUMN     "smtpHost" VARCHAR(255),
ADD COLUMN     "smtpPasswordEncrypted" TEXT,
ADD COLUMN     "smtpPort" INTEGER NOT NULL DEFAULT 587,
ADD COLUMN     "smtpTls" "SmtpTlsMode" NOT NULL DEFAULT 'STARTTLS',
ADD COLUMN     "smtpUser" VARCHAR(255);

-- CreateTable
CREATE TABLE "email_files" (
    "id" UUID NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "contentType" VARCHAR(100) NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "content" BYTEA NOT NULL,
    "uploadedBy" VARCHAR(255),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_messages" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "templateKey" VARCHAR(64) NOT NULL,
    "locale" VARCHAR(16) NOT NULL,
    "subject" VARCHAR(1000) NOT NULL,
    "toAddress" VARCHAR(255) NOT NULL,
    "fromAddress" VARCHAR(255) NOT NULL,
    "messageId" VARCHAR(255) NOT NULL,
    "smtpResponse" VARCHAR(1000),
    "sentAt" TIMESTAMPTZ(3) NOT NULL,
    "attachmentName" VARCHAR(255),
    "attachmentSize" INTEGER,
    "attachmentContent" BYTEA,
    "attachmentFileId" UUID,

    CONSTRAINT "email_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_templates" (
    "key" VARCHAR(64) NOT NULL,
    "locale" VARCHAR(16) NOT NULL,
    "subject" VARCHAR(500) NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "updatedBy" VARCHAR(255),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "email_templates_pkey" PRIMARY KEY ("key","locale")
);

-- CreateIndex
CREATE UNIQUE INDEX "email_messages_runId_key" ON "email_messages"("runId");

-- CreateIndex
CREATE INDEX "email_messages_leadId_sentAt_idx" ON "email_messages"("leadId", "sentAt" DESC);

-- CreateIndex
CREATE INDEX "email_messages_attachmentFileId_idx" ON "email_messages"("attachmentFileId");

-- AddForeignKey
ALTER TABLE "automation_settings" ADD CONSTRAINT "automation_settings_nurturePdfFileId_fkey" FOREIGN KEY ("nurturePdfFileId") REFERENCES "email_files"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_runId_fkey" FOREIGN KEY ("runId") REFERENCES "automation_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_attachmentFileId_fkey" FOREIGN KEY ("attachmentFileId") REFERENCES "email_files"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An uploaded attachment is a PDF, and what was stored is what was counted.
ALTER TABLE "email_files" ADD CONSTRAINT "email_files_pdf_check"
  CHECK (substring("content" FROM 1 FOR 5) = '\x255044462d'::bytea AND "size" = octet_length("content"));

-- Erasing a lead (LGPD: eraseLead sets "erasedAt") erases what the emails sent to it held about
-- the person: the address, the subject (templates put the first name there), the server's answer
-- (some quote the recipient) and the generated guide (personalised). That an email was sent, which
-- template and when stay, as the lead's automation runs do. A trigger, so no erasure path can miss
-- it; it runs again on every erasure, which is harmless.
CREATE FUNCTION "email_messages_erase"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "email_messages"
  SET "toAddress" = '', "subject" = '[erased]', "smtpResponse" = NULL, "attachmentContent" = NULL
  WHERE "leadId" = NEW."id";
  RETURN NEW;
END
$$;

CREATE TRIGGER "leads_erase_email_messages"
  AFTER UPDATE OF "erasedAt" ON "leads"
  FOR EACH ROW WHEN (NEW."erasedAt" IS NOT NULL) EXECUTE FUNCTION "email_messages_erase"();
