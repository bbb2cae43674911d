-- The built image's layers from kiln.build.completed, bottom first: [{"diffId", "sizeBytes", "createdBy"}], shown in
-- GET /api/v1/builds/{id}. NULL until the build completed (and for builds completed before this column existed).
ALTER TABLE submission.builds ADD COLUMN layers JSONB;
