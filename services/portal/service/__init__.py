"""The portal's use cases, one module each."""
