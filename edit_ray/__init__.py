"""edit-ray: Ray-native key-step CoT distillation (EDIT) and error-aware reflection (ORION)."""
__version__ = "0.1.0"
