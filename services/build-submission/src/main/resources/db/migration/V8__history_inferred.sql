-- A state the hub did not see an event for, but that the build must have passed (an image.pushed that came before
-- build.started: it was built), is written as inferred, with the time of the event that implied it; the event that
-- proves the state, when it comes, sets its own time and clears the flag.
ALTER TABLE build_history ADD COLUMN inferred BOOLEAN NOT NULL DEFAULT false;
