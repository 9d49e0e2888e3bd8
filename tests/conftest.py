"""Shared test set-up: headless SDL for every test (the repository root is on sys.path through `pythonpath`)."""
import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
