"""The one reader of the environment for all settings modules."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file (never committed) may hold developer overrides; see .env.example.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")
