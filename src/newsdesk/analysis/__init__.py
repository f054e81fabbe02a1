"""Understanding the archive: entities resolved across spellings and languages, stories of events."""
