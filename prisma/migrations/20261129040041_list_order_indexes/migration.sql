-- DropIndex
DROP INDEX "leads_score_idx";

-- CreateIndex
CREATE INDEX "leads_score_id_idx" ON "leads"("score" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "leads_name_id_idx" ON "leads"("name", "id");
