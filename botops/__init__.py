"""botops: bot-config-as-code for the Exotel Voicebot API."""

__version__ = "0.1.0"
