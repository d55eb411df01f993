"""HTTP routers. Each module exposes ``router``; main.py mounts them."""
