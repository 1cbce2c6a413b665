"""The explorer page's data block: the one JSON script the page carries, for the script to read."""

from __future__ import annotations

import json
import re

DATA_BLOCK = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.DOTALL)


def data_block(page: str) -> str:
    """The text of the page's one data block."""
    (block,) = DATA_BLOCK.findall(page)
    return block


def page_data(page: str) -> dict:
    """The page's data block, parsed."""
    return json.loads(data_block(page))
