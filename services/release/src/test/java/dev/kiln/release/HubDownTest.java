package dev.kiln.release;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the hub cannot be asked whose a token is, promote and waive answer 503, and the next try asks again. */
@QuarkusTest
@TestProfile(HubDownTest.NoHub.class)
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(ReleaseTestResource.class)
class HubDownTest {
    /** The hub's REST client points at a port nothing listens on. */
    public static class NoHub implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.rest-client.hub.url", "http://localhost:" + KafkaBroker.freePort());
        }
    }

    @Test
    void anUnreachableHubIs503AndNeverKept() {
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", "Bearer " + ReleaseTestResource.engineerToken).contentType(ContentType.JSON)
                    .body("{\"buildId\":\"b\",\"testCase\":\"t\",\"comment\":\"c\"}").post("/api/v1/waivers").then()
                    .statusCode(503).contentType("application/problem+json").body("title", equalTo("Hub unavailable"))
                    .body("detail", containsString("cannot be reached")).body("detail", not(containsString("Exception")));
        }
        given().header("Authorization", "Bearer " + ReleaseTestResource.engineerToken).contentType(ContentType.JSON)
                .body("{\"buildId\":\"b\"}").post("/api/v1/promotions").then().statusCode(503)
                .contentType("application/problem+json");
    }
}
