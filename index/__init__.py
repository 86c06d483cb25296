"""gongkai: index."""
