"""Guest networking (seed §5): public IPs and the rules on them."""
