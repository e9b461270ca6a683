"""The remote client: ``lakeai.connect(url, token)`` speaks REST with ``Workspace``'s methods.

One module per service group (``catalog``, ``tables``, ``sql``, ``identity``, ``secrets``) over
one transport (``http``) that turns the server's error JSON back into LakeAI's exceptions.
"""
