"""The mission loop: one elected producer builds the snapshot every viewer reads."""
