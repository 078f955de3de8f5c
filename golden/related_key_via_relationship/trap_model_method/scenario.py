def run(module, session):
    module.Base.metadata.create_all(session.connection())
    session.add(module.Folder(id=3, name="finals"))
    session.flush()
    # the export is pending: folder_id is still None, self.folder.id is 3
    return module.new_export(session, 3, "poster")
