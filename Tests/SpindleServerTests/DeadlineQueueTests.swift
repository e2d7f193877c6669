import Testing

@testable import SpindleServer

@Suite struct DeadlineQueueTests {
    @Test func keepsInsertionOrderAndUnlinksFromAnywhere() {
        var links = DeadlineQueue.Links()
        links.grow(to: 8)
        var queue = DeadlineQueue(id: 2)
        for slot in [5, 1, 7, 3] { queue.append(slot, deadline: Int64(slot * 10), links: &links) }
        #expect(queue.head == 5)
        queue.remove(1, links: &links)  // middle
        queue.remove(5, links: &links)  // head
        #expect(queue.head == 7)
        #expect(links.queue[5] == -1)
        #expect(links.queue[7] == 2)
        queue.remove(3, links: &links)  // tail
        queue.append(4, deadline: 99, links: &links)
        #expect(queue.head == 7)
        #expect(links.next[7] == 4)
        queue.remove(7, links: &links)
        queue.remove(4, links: &links)
        #expect(queue.head == -1)
    }

    @Test func rearmingMovesToTheTail() {
        var links = DeadlineQueue.Links()
        links.grow(to: 4)
        var queue = DeadlineQueue(id: 0)
        queue.append(0, deadline: 1, links: &links)
        queue.append(1, deadline: 2, links: &links)
        queue.remove(0, links: &links)
        queue.append(0, deadline: 3, links: &links)
        #expect(queue.head == 1)
        #expect(links.deadline[queue.head] == 2)
        #expect(links.next[1] == 0)
    }
}
