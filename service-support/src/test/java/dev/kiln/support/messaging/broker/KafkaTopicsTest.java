package dev.kiln.support.messaging.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

class KafkaTopicsTest {

    @Test
    void threePartitionsOverTwoWorkersIsReportedAndSixIsNot() {
        Map<String, TopicDescription> topics = Map.of("kiln.build.requested", topic("kiln.build.requested", 3),
                "kiln.build.cancel-requested", topic("kiln.build.cancel-requested", 6));
        List<String> warnings = KafkaTopics.unevenSplits(topics, 2);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("topic kiln.build.requested has 3 partitions for 2 instances"),
                warnings.get(0));
        assertTrue(warnings.get(0).contains("some get 2 partitions and some 1"), warnings.get(0));
        assertEquals(List.of(), KafkaTopics.unevenSplits(topics, 1), "one instance takes everything");
        assertEquals(List.of(), KafkaTopics.unevenSplits(Map.of("t", topic("t", 6)), 3));
    }

    private static TopicDescription topic(String name, int partitions) {
        Node node = new Node(1, "localhost", 9092);
        return new TopicDescription(name, false, IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartitionInfo(p, node, List.of(node), List.of(node))).toList());
    }
}
