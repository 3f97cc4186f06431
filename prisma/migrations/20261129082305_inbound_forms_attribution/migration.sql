-- AlterTable
ALTER TABLE "lead_submissions" ADD COLUMN     "referrer" VARCHAR(2000);

-- AlterTable
ALTER TABLE "inbound_settings" ADD COLUMN     "googleFormQuestions" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "web_forms" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(64) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "thankYouUrl" VARCHAR(2000),
    "errorUrl" VARCHAR(2000),
    "allowedOrigins" TEXT[],
    "defaultOrigin" "LeadOrigin" NOT NULL DEFAULT 'SITE',
    "defaultInterest" TEXT,
    "consentRequired" BOOLEAN NOT NULL DEFAULT false,
    "consentText" TEXT,
    "consentTextVersion" VARCHAR(64),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "web_forms_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "web_forms_slug_key" ON "web_forms"("slug");
