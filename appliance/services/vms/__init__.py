"""Guest VMs (seed §1.7, §10.4): deployment, lifecycle, queries. Host-side work is in
appliance/orchestration/vm.py; every state change goes through `states.transition`."""
