"""gongkai: gongkai/demo."""
