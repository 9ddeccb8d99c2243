using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SplitCcp.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TokenExpiryAndIdentityAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiresAt",
                table: "ApiTokens",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Tokens issued before tokens expired keep working for the default lifetime from the upgrade, 90 days: their
            // owners see the expiry in their lists, and the warning before it, instead of finding them refused at once.
            migrationBuilder.Sql("""UPDATE "ApiTokens" SET "ExpiresAt" = strftime('%Y-%m-%d %H:%M:%f', 'now', '+90 days');""");

            migrationBuilder.CreateTable(
                name: "IdentityEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    RemoteAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdentityEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_IdentityEvents_ActorId_Id",
                table: "IdentityEvents",
                columns: new[] { "ActorId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_IdentityEvents_Kind_Id",
                table: "IdentityEvents",
                columns: new[] { "Kind", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_IdentityEvents_SubjectId_Id",
                table: "IdentityEvents",
                columns: new[] { "SubjectId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IdentityEvents");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "ApiTokens");
        }
    }
}
