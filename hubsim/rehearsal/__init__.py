"""``hubsim rehearse``: renewal day rehearsed against real backends in their own processes.

Each case renews or replaces a certificate the way it happens in production and reports what
a CPO would see, and why (see docs/rehearsals.md).
"""

from hubsim.rehearsal.report import CaseResult, report_json, report_text
from hubsim.rehearsal.run import CASES, find_cases, run_rehearsal

__all__ = ["CASES", "CaseResult", "find_cases", "report_json", "report_text", "run_rehearsal"]
