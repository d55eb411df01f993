def register(app):
    from routes.assessments import bp as assessments
    from routes.surveys import bp as surveys
    app.register_blueprint(assessments)
    app.register_blueprint(surveys)
