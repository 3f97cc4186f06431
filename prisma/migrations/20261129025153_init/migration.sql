-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- Hand-written (Prisma allows custom SQL in a migration; schema.prisma.snapshot stays the pure
-- schema). Extensions come first: the GIN index below uses pg_trgm's gin_trgm_ops, and the leads
-- trigger calls unaccent(). Both are trusted extensions: no superuser is needed to create them.
-- They go in "public" because the trigger names public.unaccent explicitly.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

-- CreateEnum
CREATE TYPE "LeadOrigin" AS ENUM ('META_ADS', 'GOOGLE_ADS', 'WHATSAPP', 'SITE', 'REFERRAL', 'OTHER');

-- CreateEnum
CREATE TYPE "LeadStatus" AS ENUM ('PROCESSING', 'HOT', 'WARM', 'COLD');

-- CreateTable
CREATE TABLE "leads" (
    "id" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "email" VARCHAR(255) NOT NULL,
    "phone" VARCHAR(16),
    "origin" "LeadOrigin" NOT NULL,
    "interest" TEXT,
    "approximateIncome" DECIMAL(10,2),
    "city" VARCHAR(100),
    "score" INTEGER NOT NULL DEFAULT 0,
    "status" "LeadStatus" NOT NULL DEFAULT 'PROCESSING',
    "processedAt" TIMESTAMPTZ(3),
    "notes" TEXT,
    "followUpAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "cityKey" VARCHAR(100),
    "searchText" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "leads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "leads_email_key" ON "leads"("email");

-- CreateIndex
CREATE INDEX "leads_status_createdAt_idx" ON "leads"("status", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "leads_origin_createdAt_idx" ON "leads"("origin", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "leads_cityKey_idx" ON "leads"("cityKey");

-- CreateIndex
CREATE INDEX "leads_createdAt_id_idx" ON "leads"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "leads_score_idx" ON "leads"("score");

-- CreateIndex
CREATE INDEX "leads_followUpAt_idx" ON "leads"("followUpAt");

-- CreateIndex
CREATE INDEX "leads_searchText_idx" ON "leads" USING GIN ("searchText" gin_trgm_ops);

-- Hand-written from here on.

-- The application stores emails lower-case; this makes the unique index on "email"
-- case-insensitive for real, whatever writes the row.
ALTER TABLE "leads" ADD CONSTRAINT "leads_email_lower_case_check" CHECK ("email" = lower("email"));

-- An income cannot be negative. (No such check on "score": scoring rules may go negative later.)
ALTER TABLE "leads" ADD CONSTRAINT "leads_approximateIncome_not_negative_check" CHECK ("approximateIncome" >= 0);

-- "cityKey" and "searchText" serve the accent-insensitive city filter and the pg_trgm free-text
-- search. A trigger, not the application, keeps them: every writer (API, jobs, psql) gets them
-- right, and they cannot drift from the columns they derive from. A generated column cannot do
-- this because unaccent() is only STABLE (its dictionary can change), which a trigger allows.
-- unaccent is called in its two-argument form with both names schema-qualified: the
-- one-argument form looks its dictionary up through search_path, and a session or a role with
-- another search_path would then fail to write leads.
CREATE FUNCTION "leads_set_search_keys"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."cityKey" := lower(public.unaccent('public.unaccent'::regdictionary, NEW."city"));
  NEW."searchText" := lower(public.unaccent(
    'public.unaccent'::regdictionary,
    NEW."name" || ' ' || NEW."email" || ' ' || coalesce(NEW."phone", '')
  ));
  RETURN NEW;
END;
$$;

CREATE TRIGGER "leads_set_search_keys"
  BEFORE INSERT OR UPDATE ON "leads"
  FOR EACH ROW EXECUTE FUNCTION "leads_set_search_keys"();
