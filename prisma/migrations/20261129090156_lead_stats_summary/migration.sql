-- CreateTable
CREATE TABLE "lead_stats_hours" (
    "dimension" VARCHAR(16) NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "value" VARCHAR(32) NOT NULL,
    "leads" INTEGER NOT NULL,
    "scored" INTEGER NOT NULL,
    "scoreSum" BIGINT NOT NULL,

    CONSTRAINT "lead_stats_hours_pkey" PRIMARY KEY ("dimension","hour","value")
);

-- CreateTable
CREATE TABLE "lead_stats_days" (
    "dimension" VARCHAR(16) NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "value" VARCHAR(32) NOT NULL,
    "leads" INTEGER NOT NULL,
    "scored" INTEGER NOT NULL,
    "scoreSum" BIGINT NOT NULL,

    CONSTRAINT "lead_stats_days_pkey" PRIMARY KEY ("dimension","day","value")
);

-- Why a log of deltas and not a trigger that updates lead_stats_hours: every lead created in
-- the same hour would update the same few rows (status PROCESSING, band 0), and each insert
-- would hold those rows' locks until it commits, queueing every concurrent createLead behind
-- one another. Appending to a table without indexes takes no shared lock; the
-- leads.fold-stats-deltas job moves the deltas into lead_stats_hours and lead_stats_days, and
-- leadStats adds the deltas not folded yet, so its figures are exact at any moment (one snapshot
-- sees a delta either here or folded, never both). Not a Prisma model: only SQL touches it.
CREATE TABLE "lead_stats_deltas" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "status" "LeadStatus" NOT NULL,
    "origin" "LeadOrigin" NOT NULL,
    "band" INTEGER NOT NULL,
    "leads" INTEGER NOT NULL,
    "scored" INTEGER NOT NULL,
    "scoreSum" BIGINT NOT NULL
);

-- The score histogram's band of a score: its lowest score, in steps of 5 (also below zero), every
-- score from 100 up in one band. SCORE_BUCKET_WIDTH and SCORE_BUCKET_OPEN_FROM in
-- server/src/leads/lead-stats.ts must say the same.
CREATE FUNCTION "lead_score_band"(score integer) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN least(score - ((score % 5) + 5) % 5, 100);

-- UTC hours: whole-hour time zones start their days on one, so any local day is a sum of hours.
CREATE FUNCTION "lead_stats_hour"(at timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN date_bin('1 hour', at, TIMESTAMPTZ '2000-01-01 00:00:00+00');

-- Takes the lead's old row out of its hour and adds the new one: rescoring, a status override,
-- a deletion and an erasure all go through here, whoever writes (API, jobs, psql).
CREATE FUNCTION "leads_record_stats_delta"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
    AND NEW."createdAt" = OLD."createdAt" AND NEW."status" = OLD."status"
    AND NEW."origin" = OLD."origin" AND NEW."score" = OLD."score"
    AND (NEW."processedAt" IS NULL) = (OLD."processedAt" IS NULL)
  THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO "lead_stats_deltas" VALUES (
      "lead_stats_hour"(OLD."createdAt"), OLD."status", OLD."origin", "lead_score_band"(OLD."score"),
      -1, -(OLD."processedAt" IS NOT NULL)::int,
      CASE WHEN OLD."processedAt" IS NOT NULL THEN -OLD."score" ELSE 0 END
    );
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO "lead_stats_deltas" VALUES (
      "lead_stats_hour"(NEW."createdAt"), NEW."status", NEW."origin", "lead_score_band"(NEW."score"),
      1, (NEW."processedAt" IS NOT NULL)::int,
      CASE WHEN NEW."processedAt" IS NOT NULL THEN NEW."score" ELSE 0 END
    );
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "leads_record_stats_delta"
  AFTER INSERT OR DELETE OR UPDATE OF "createdAt", "status", "origin", "score", "processedAt"
  ON "leads"
  FOR EACH ROW EXECUTE FUNCTION "leads_record_stats_delta"();

-- TRUNCATE skips row triggers: empty the counts with it.
CREATE FUNCTION "leads_truncate_stats"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "lead_stats_hours", "lead_stats_days", "lead_stats_deltas";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "leads_truncate_stats"
  AFTER TRUNCATE ON "leads"
  FOR EACH STATEMENT EXECUTE FUNCTION "leads_truncate_stats"();

-- Moves the deltas into lead_stats_hours and lead_stats_days and answers how many it moved. Safe to run
-- concurrently: a delta another fold has deleted is skipped, one added meanwhile waits for the
-- next fold. Rows that drop to zero stay: the next lead of that hour will likely need them.
CREATE FUNCTION "lead_stats_fold"() RETURNS bigint LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM "lead_stats_deltas" RETURNING *
  ), by_dimension AS (
    SELECT "hour", dimension, value, sum("leads") AS "leads", sum("scored") AS "scored",
      sum("scoreSum") AS "scoreSum"
    FROM moved CROSS JOIN LATERAL (
      VALUES ('status', "status"::text), ('origin', "origin"::text), ('band', "band"::text)
    ) AS dimensions(dimension, value)
    GROUP BY "hour", dimension, value
  ), hours AS (
    INSERT INTO "lead_stats_hours" ("dimension", "hour", "value", "leads", "scored", "scoreSum")
    SELECT dimension, "hour", value, "leads", "scored", "scoreSum" FROM by_dimension
    ON CONFLICT ("dimension", "hour", "value") DO UPDATE SET
      "leads" = "lead_stats_hours"."leads" + excluded."leads",
      "scored" = "lead_stats_hours"."scored" + excluded."scored",
      "scoreSum" = "lead_stats_hours"."scoreSum" + excluded."scoreSum"
  ), days AS (
    INSERT INTO "lead_stats_days" ("dimension", "day", "value", "leads", "scored", "scoreSum")
    SELECT dimension, date_trunc('day', "hour", 'UTC'), value,
      sum("leads"), sum("scored"), sum("scoreSum")
    FROM by_dimension
    GROUP BY dimension, date_trunc('day', "hour", 'UTC'), value
    ON CONFLICT ("dimension", "day", "value") DO UPDATE SET
      "leads" = "lead_stats_days"."leads" + excluded."leads",
      "scored" = "lead_stats_days"."scored" + excluded."scored",
      "scoreSum" = "lead_stats_days"."scoreSum" + excluded."scoreSum"
  )
  SELECT count(*) FROM moved;
$$;

-- The leads already there. The trigger exists from here on and this migration is one
-- transaction holding a lock that keeps writers out, so no lead is counted twice or missed.
INSERT INTO "lead_stats_deltas"
SELECT "lead_stats_hour"("createdAt"), "status", "origin", "lead_score_band"("score"),
  1, ("processedAt" IS NOT NULL)::int,
  CASE WHEN "processedAt" IS NOT NULL THEN "score" ELSE 0 END
FROM "leads";
SELECT "lead_stats_fold"();
