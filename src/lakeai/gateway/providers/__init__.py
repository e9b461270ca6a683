"""Gateway providers, one module each, registered like plug-ins (see ``base.register``)."""
