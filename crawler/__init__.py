"""gongkai: crawler."""
