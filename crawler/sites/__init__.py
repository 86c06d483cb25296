"""gongkai: crawler/sites."""
