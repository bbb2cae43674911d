-- The content manifest container-build read from the image (package URLs), kept to serve it as a CycloneDX SBOM.
ALTER TABLE submission.builds ADD COLUMN content_manifest JSONB;
