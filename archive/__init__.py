"""gongkai: archive."""
