"""The one configuration pipeline: YAML found and parsed, ${ENV} filled, validated into typed models."""

from loanqa.config.loader import Strict, load_model, load_yaml, validate
from loanqa.config.project import ProjectConfig, StackConfig, load_project_config

__all__ = ["ProjectConfig", "StackConfig", "Strict", "load_model", "load_project_config", "load_yaml", "validate"]
