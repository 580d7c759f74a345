# expect: CP011 2
FROM maven:3.9-eclipse-temurin-21
WORKDIR /app
COPY pom.xml .
COPY src ./src
RUN mvn -q package
CMD ["java", "-jar", "target/app.jar"]
