"""Domain logic: plain values in, model objects out; never imports Flask."""
