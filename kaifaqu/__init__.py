"""Kaifaqu (开发区): the management platform of China's development zones, starting with Shanxi."""
