"""``hubsim fuzz``: property-based robustness testing of a CPO endpoint (docs/fuzz.md).

Bodies come from a JSON Schema that :mod:`oicp.json_schema` derives from the package's own
message readers (Hypothesis with hypothesis-jsonschema), valid ones and near-valid ones
(one thing broken). They are sent over mutual TLS with the hub's identity to the four
hub-to-CPO operations, in both reservation path styles. Each answer is HANDLED or
UNEXPECTED (:mod:`hubsim.fuzz.classify`); each UNEXPECTED class is shrunk to a minimal body
(:mod:`hubsim.fuzz.shrink`) and printed with a curl reproducer.
"""
