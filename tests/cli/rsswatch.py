"""Resident memory of another process, sampled in the background, for the
backpressure checks (flow.py, stalled_crowd.py)."""
import threading
import time


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRss:
    """Samples pid's VmRSS every 50 ms from start() until stop(); .base is
    the reading at creation, .peak the highest since (both in KB)."""

    def __init__(self, pid):
        self.pid = pid
        self.base = self.peak = rss_kb(pid)
        self._done = threading.Event()

    def _run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.05)

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def stop(self):
        self._done.set()
