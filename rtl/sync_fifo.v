`default_nettype none
// Synchronous first-word-fall-through FIFO: `out_data` is the head whenever `out_valid`.
// A push when full or a pop when empty is ignored (callers use the valid/ready handshakes).
module sync_fifo #(
    parameter integer WIDTH = 32,  // bits per entry
    parameter integer DEPTH = 16   // entries, a power of two
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             in_valid,
    output wire             in_ready,
    input  wire [WIDTH-1:0] in_data,
    output wire             out_valid,
    input  wire             out_ready,
    output wire [WIDTH-1:0] out_data,
    output reg  [((DEPTH > 1) ? $clog2(DEPTH) : 1):0]      count
);
    localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    reg [WIDTH-1:0] mem [0:DEPTH-1];
    reg [AW-1:0] rd_ptr, wr_ptr;
    wire push = in_valid && in_ready;
    wire pop  = out_valid && out_ready;
    localparam [31:0] FULL = DEPTH;
    assign in_ready  = ({{(31-AW){1'b0}}, count} != FULL);
    assign out_valid = (count != 0);
    assign out_data  = mem[rd_ptr];
    always @(posedge clk) begin
        if (rst) begin
            rd_ptr <= 0; wr_ptr <= 0; count <= 0;
        end else begin
            if (push) begin mem[wr_ptr] <= in_data; wr_ptr <= wr_ptr + 1'b1; end
            if (pop) rd_ptr <= rd_ptr + 1'b1;
            count <= count + {{AW{1'b0}}, push} - {{AW{1'b0}}, pop};
        end
    end
endmodule
`default_nettype wire
