"""gongkai: web."""
