"""Runnable lessons: ``python -m demos.xor`` and friends."""
