"""Things zcf writes for people to fill in: input templates and new projects."""
