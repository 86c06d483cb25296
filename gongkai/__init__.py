"""gongkai: gongkai."""
