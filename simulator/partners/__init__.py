"""The hub's partners besides CPOs: simulated EMPs, their contracts, and CPO sub-operators.

``simulator.partner_model`` holds the value types (below storage, which stores them),
``simulator.partners.service`` the rules
(who may have a contract with whom, which operator an EvseID belongs to),
``simulator.partners.emp_answers`` how a simulated EMP answers the hub, and
``simulator.partners.emp_client`` the simulated EMP that calls the hub's EMP-facing endpoints.
"""
