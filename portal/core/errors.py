class DomainError(Exception):
    """A refused business action. The message is translated and shown to the person as it is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
