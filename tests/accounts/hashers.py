"""A password hasher for tests: MD5 under another name, standing for a newer hasher Django upgrades hashes to."""

from django.contrib.auth.hashers import MD5PasswordHasher


class NewerMD5Hasher(MD5PasswordHasher):
    algorithm = "md5-newer"
