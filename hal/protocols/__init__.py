"""Wire formats declared once with construct, shared by drivers and simulated devices."""
