"""The analytics thread lowers its own priority, and only its own (common/priority.py)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from common.priority import lower_this_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def test_only_the_calling_thread_is_lowered():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict = {}

    def lowered():
        seen["new"] = lower_this_thread(5)
        seen["read"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=lowered)
    t.start()
    t.join()
    assert seen["new"] == seen["read"] == min(19, before + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_zero_leaves_the_priority_alone():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert lower_this_thread(0) is None
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
