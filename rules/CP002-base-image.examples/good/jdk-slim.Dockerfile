FROM eclipse-temurin:21-jre-alpine
COPY app.jar /app.jar
CMD ["java", "-jar", "/app.jar"]
